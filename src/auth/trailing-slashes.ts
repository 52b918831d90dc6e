/**
 * `path` without the slashes it ends with. Written as a loop: `/\/+$/` retries from every slash of
 * a long run, so a URL of many slashes that a server names in its metadata (read up to 1 Mi
 * characters) took minutes (40,000 slashes: 4.8 s, growing with the square).
 */
export function withoutTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 0x2f) end--;
  return end === path.length ? path : path.slice(0, end);
}
