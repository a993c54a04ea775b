// Progress lines on stderr (stdout carries the tables at the end).
export const say = (msg: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};
