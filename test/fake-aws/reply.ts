/** One HTTP answer, before it is written (so a fault can still cut or replace it). */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}
