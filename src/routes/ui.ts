import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The quant view (issue 16): a static page at GET /ui that draws the service's own JSON API with
 * uPlot. Nothing is rendered here and nothing is compiled here: the route serves three kinds of
 * files, each from one directory, by name from a fixed pattern (no path reaches outside them):
 * - the page's HTML and CSS, from src/ui/static (the Docker image copies that directory);
 * - its JavaScript, compiled by `npm run build` (src/ui/tsconfig.json) into dist/ui;
 * - uPlot's minified script and stylesheet, from the uplot package (a production dependency).
 * Both the source tree (tests, through the TypeScript loader) and dist/ (npm start) find the same
 * repository root, so the same directories serve both.
 */

/** <repo>/src/routes when loaded from source, <repo>/dist/src/routes when built. */
const here = dirname(fileURLToPath(import.meta.url))
const upTwo = resolve(here, '..', '..')
/** The repository root (the image's /app): the parent of dist/ when running the build. */
export const REPO_ROOT = basename(upTwo) === 'dist' ? dirname(upTwo) : upTwo
export const UI_STATIC_DIR = join(REPO_ROOT, 'src', 'ui', 'static')
export const UI_BUILD_DIR = join(REPO_ROOT, 'dist', 'ui')
/** The page's entry module: the route warns at start-up when it is not built. */
export const UI_ENTRY = 'main.js'
const UPLOT_DIR = dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'))

/** The page allows only its own origin: scripts, styles, fetches (the API) and images. */
const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8'
}

/** A compiled module or stylesheet of the page: kebab-case names, no directories. */
const PAGE_FILE = /^[a-z0-9-]+\.(js|css)$/
/** The only vendor files the page loads. */
const VENDOR_FILES = new Set(['uPlot.iife.min.js', 'uPlot.min.css'])

/** The API's own 404 (PRETRADE_ERR_NOT_FOUND, the not-found handler's body). */
function notFound (reply: FastifyReply): FastifyReply {
  reply.callNotFound()
  return reply
}

async function sendFile (reply: FastifyReply, path: string): Promise<FastifyReply> {
  let body: Buffer
  try {
    body = await readFile(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return notFound(reply)
    throw err
  }
  const type = CONTENT_TYPES[path.slice(path.lastIndexOf('.'))]
  return await reply
    .type(type)
    // revalidated on every load: a new build is picked up at once, and the files are small
    .header('cache-control', 'no-cache')
    .header('x-content-type-options', 'nosniff')
    .send(body)
}

const uiRoutes: FastifyPluginAsync = async (app) => {
  if (!existsSync(join(UI_BUILD_DIR, UI_ENTRY))) {
    app.log.warn({ dir: UI_BUILD_DIR }, 'the quant view at /ui is not built: run npm run build')
  }
  // scraped by people, not part of the API the OpenAPI document describes
  const hidden = { schema: { hide: true } }

  app.get('/ui', hidden, async (_request, reply) => {
    void reply.header('content-security-policy', CONTENT_SECURITY_POLICY)
    return await sendFile(reply, join(UI_STATIC_DIR, 'index.html'))
  })
  // the page's relative URLs (ui/main.js, v1/estimate) resolve against /ui, not /ui/
  app.get('/ui/', hidden, async (_request, reply) => await reply.redirect('../ui', 301))

  app.get<{ Params: { file: string } }>('/ui/:file', hidden, async (request, reply) => {
    const { file } = request.params
    if (!PAGE_FILE.test(file)) return notFound(reply)
    return await sendFile(reply, join(file.endsWith('.css') ? UI_STATIC_DIR : UI_BUILD_DIR, file))
  })

  app.get<{ Params: { file: string } }>('/ui/vendor/:file', hidden, async (request, reply) => {
    const { file } = request.params
    if (!VENDOR_FILES.has(file)) return notFound(reply)
    return await sendFile(reply, join(UPLOT_DIR, file))
  })
}

export default uiRoutes
