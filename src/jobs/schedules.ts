import { schedule, type ScheduledTask } from 'node-cron'

export interface ScheduleLogger {
  info: (obj: object, msg: string) => void
  error: (obj: object, msg: string) => void
}

export interface Schedules {
  stop: () => Promise<void>
}

/**
 * Runs each task on its node-cron expression. A task never overlaps itself (noOverlap) and a
 * task that throws is logged and stays scheduled: the schedule never dies with one run.
 */
export function startSchedules (tasks: Array<{ name: string, cron: string, run: () => Promise<unknown> }>, logger: ScheduleLogger): Schedules {
  const scheduled: ScheduledTask[] = tasks.map(({ name, cron, run }) => schedule(cron, async () => {
    try {
      await run()
    } catch (err) {
      logger.error({ err, task: name }, 'scheduled task failed')
    }
  }, { name, noOverlap: true }))
  logger.info({ tasks: tasks.map(({ name, cron }) => ({ name, cron })) }, 'schedules started')
  return {
    stop: async () => {
      for (const task of scheduled) await task.destroy()
    }
  }
}
