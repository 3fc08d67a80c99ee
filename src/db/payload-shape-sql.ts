// How queries read an events row's projection when part of it may be in the row's shape
// (payload-shape.ts): a path the shape holds comes from the shape when the row has one, from `payload`
// otherwise (rows written before shapes, whole payloads); the span id and the last exception's value
// from their columns, else `payload`; every other path from `payload`.
import { columnPath, shapePath } from "./payload-shape.ts";

/** The shape's JSON text of the events row aliased `alias` (NULL without a shape). */
export const shapeOf = (alias: string): string =>
  `(SELECT shape FROM event_shapes WHERE id = ${alias}.shape_id)`;

/** The document holding the shape's paths of the row aliased `alias`: its shape, else its payload. */
export const shapeDocument = (alias: string): string =>
  `CASE WHEN ${alias}.shape_id IS NULL THEN ${alias}.payload ELSE ${shapeOf(alias)} END`;

/** SQL for json_extract of a projection path (a literal `$…` path) of the row aliased `alias`. */
export function projectionPath(alias: string, path: string): string {
  // A shaped row keeps these in columns; a row without a shape has them NULL and in its payload.
  const column = columnPath(path);
  if (column) return `COALESCE(${alias}.${column}, json_extract(${alias}.payload, '${path}'))`;
  return shapePath(path)
    ? `json_extract(${shapeDocument(alias)}, '${path}')`
    : `json_extract(${alias}.payload, '${path}')`;
}
