// src/schema/metadata.ts (reached through `import type { JsonValue }` in the verifier's entry type)
// measures JSON with Node's Buffer. The viewer never runs that code (type imports are erased from
// the bundle), but tsc checks the file: declare the one member it uses rather than load all of @types/node.
declare const Buffer: { byteLength(text: string): number }
