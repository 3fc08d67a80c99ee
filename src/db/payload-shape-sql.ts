// How queries read an events row's projection when part of it may be in the row's shape
// (payload-shape.ts): a path the shape holds comes from the shape when the row has one, from `payload`
// otherwise (rows written before shapes, whole payloads); the span id and the last exception's value
// from their columns, else `payload` (a value the row's title spells is rebuilt from it); every other
// path from `payload`; the tags from both (`tagsSql`).
import { columnPath, DERIVED_ERROR_VALUE, shapePath, USER_ID_KEY_PREFIX } from "./payload-shape.ts";

/** The shape's JSON text of the events row aliased `alias` (NULL without a shape). */
export const shapeOf = (alias: string): string =>
  `(SELECT shape FROM event_shapes WHERE id = ${alias}.shape_id)`;

/** The document holding the shape's paths of the row aliased `alias`: its shape, else its payload. */
export const shapeDocument = (alias: string): string =>
  `CASE WHEN ${alias}.shape_id IS NULL THEN ${alias}.payload ELSE ${shapeOf(alias)} END`;

/**
 * The last exception's value a shaped row left to its title (error_value is DERIVED_ERROR_VALUE): the
 * title is exactly `${type}: ${value}`, the type its shape's.
 */
export const derivedErrorValue = (alias: string): string =>
  `substr(${alias}.title, length(json_extract(${shapeOf(alias)}, '$.exception.values[#-1].type')) + 3)`;

/** The span id column of the row aliased `alias` as text: an 8-byte blob spelled in hex, else as stored. */
export const spanIdSql = (alias: string): string =>
  `CASE WHEN typeof(${alias}.span_id) = 'blob' THEN lower(hex(${alias}.span_id)) ELSE ${alias}.span_id END`;

/**
 * The user id a shaped row left to its `user_key` (userSpelledByKey): its payload holds no user and the
 * key names one by id. NULL for every other row.
 */
export const userIdFromKey = (alias: string): string => {
  const prefix = USER_ID_KEY_PREFIX.length;
  return `CASE WHEN ${alias}.shape_id IS NOT NULL AND json_type(${alias}.payload, '$.user') IS NULL
    AND substr(${alias}.user_key, 1, ${prefix}) = '${USER_ID_KEY_PREFIX}' THEN substr(${alias}.user_key, ${prefix + 1}) END`;
};

/**
 * The event's tags of the row aliased `alias` as JSON array text (NULL without tags): a shaped row's
 * `payload` tags followed by its shape's (the context-derived pairs that ended them,
 * `splitProjection`), any other row's `payload` tags. Compound-free (D1 caps compound SELECTs): the
 * two minified arrays (`->` renders JSON text) are joined as text, the first without its `]`, the
 * second without its `[`; the row's part is absent rather than empty when the shape holds them all.
 */
export function tagsSql(alias: string): string {
  const own = `(${alias}.payload -> '$.tags')`;
  const shared = `(${shapeOf(alias)} -> '$.tags')`;
  return `CASE WHEN ${alias}.shape_id IS NULL OR ${shared} IS NULL THEN ${own}
    WHEN ${own} IS NULL OR ${own} = '[]' THEN ${shared}
    ELSE substr(${own}, 1, length(${own}) - 1) || ',' || substr(${shared}, 2) END`;
}

/** SQL for json_extract of a projection path (a literal `$…` path) of the row aliased `alias`. */
export function projectionPath(alias: string, path: string): string {
  if (path === "$.tags") return tagsSql(alias);
  // A user that is only an id may be left to user_key; its other fields are absent either way.
  if (path === "$.user")
    return `COALESCE(json_extract(${alias}.payload, '$.user'), CASE WHEN ${userIdFromKey(alias)} IS NOT NULL THEN json_object('id', ${userIdFromKey(alias)}) END)`;
  if (path === "$.user.id")
    return `COALESCE(json_extract(${alias}.payload, '$.user.id'), ${userIdFromKey(alias)})`;
  // A shaped row keeps these in columns; a row without a shape has them NULL and in its payload.
  const column = columnPath(path);
  const stored = column === "span_id" ? spanIdSql(alias) : `${alias}.${column}`;
  const inColumn = `COALESCE(${stored}, json_extract(${alias}.payload, '${path}'))`;
  if (column === "error_value")
    return `CASE WHEN ${alias}.error_value = '${DERIVED_ERROR_VALUE}' THEN ${derivedErrorValue(alias)} ELSE ${inColumn} END`;
  if (column) return inColumn;
  return shapePath(path)
    ? `json_extract(${shapeDocument(alias)}, '${path}')`
    : `json_extract(${alias}.payload, '${path}')`;
}
