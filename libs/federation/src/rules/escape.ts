/** Escapes every regular-expression metacharacter, so a name matches only itself inside a RabbitMQ permission regex. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Escapes Redis glob metacharacters (`* ? [ ] \`), so a name matches only itself inside an ACL key pattern. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
