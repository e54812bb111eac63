/** Fields a log line may carry. Never a body, a signature, a token or a secret. */
export interface LogFields {
  fn?: string;
  tenantId?: string;
  source?: string;
  eventId?: string;
  eventType?: string;
  requestId?: string;
  status?: number;
  code?: string;
  durationMs?: number;
  [key: string]: string | number | boolean | null | undefined;
}

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose every line also carries `fields`. */
  child(fields: LogFields): Logger;
}

export type LogSink = (line: string) => void;

/**
 * One JSON object per line: `{"level","msg","time",…fields}` — what CloudWatch and Supabase's log explorer
 * index without a parser.
 * @example const log = createLogger({ fn: "stripe-webhook" }); log.info("event stored", { eventId });
 */
export function createLogger(base: LogFields = {}, sink: LogSink = (line) => console.log(line)): Logger {
  const write = (level: string, msg: string, fields?: LogFields) =>
    sink(JSON.stringify({ level, msg, time: new Date().toISOString(), ...base, ...fields }));
  return {
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
    child: (fields) => createLogger({ ...base, ...fields }, sink),
  };
}

/** A logger that drops everything (tests that do not inspect logs). */
export const silentLogger: Logger = createLogger({}, () => {});
