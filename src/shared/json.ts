// JSON as a type: what a graph input, a job payload or a stored column may hold once it went through
// JSON.parse (or will go through JSON.stringify) unchanged.
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
