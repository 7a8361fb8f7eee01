/**
 * What the test helpers need of a tap test: somewhere to register cleanup. A tap `Test` is one;
 * so is any object with a `teardown` (a helper can then be used outside tap too).
 */
export interface Teardown { teardown: (fn: () => unknown) => void }
