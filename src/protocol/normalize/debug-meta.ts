// `debug_meta.images`: the loaded modules native frames are symbolicated against. sentry-rust writes
// `type: "symbolic"` with the legacy keys `name` (code file) and `id` (debug id) and `arch: null`;
// these become the normalized `code_file`/`debug_id` fields. Debug ids are canonical lower-case GUIDs
// (with an optional `-<age>`), code ids lower-case hex, addresses `0x` hex strings.
import { MAX_SHORT_STRING_CHARS } from "../../limits.ts";
import { normalizeDebugId } from "../../symbolication/debug-id.ts";
import type { DebugImage } from "../types.ts";
import { databagObject } from "./databag.ts";
import { asObject, isAbsent, put, readObject, readString, readUint } from "./fields.ts";
import type { Notes } from "./notes.ts";
import { readAddress } from "./stacktrace.ts";

/** Image types that share Sentry's native image schema. */
const NATIVE_TYPES = new Set(["symbolic", "elf", "macho", "pe", "pe_dotnet", "wasm"]);

/** Non-native image types Sentry knows; their fields are kept as sent, with ids normalized. */
const OTHER_TYPES = new Set(["apple", "proguard", "jvm", "sourcemap", "dart_symbols", "il2cpp"]);

export function normalizeDebugMeta(raw: unknown, notes: Notes): { images: DebugImage[] } | undefined {
  const object = readObject(raw, notes, "debug_meta");
  if (!object || isAbsent(object.images)) return undefined;
  if (!Array.isArray(object.images)) {
    notes.add("invalid_data", "debug_meta.images", object.images);
    return undefined;
  }
  const images: DebugImage[] = [];
  object.images.forEach((rawImage, i) => {
    const image = normalizeImage(rawImage, notes, `debug_meta.images.${i}`);
    if (image) images.push(image);
  });
  return images.length > 0 ? { images } : undefined;
}

export function normalizeImage(raw: unknown, notes: Notes, path: string): DebugImage | undefined {
  const object = asObject(raw);
  const type = typeof object?.type === "string" ? object.type.trim().toLowerCase() : undefined;
  if (!object || type === undefined || !(NATIVE_TYPES.has(type) || OTHER_TYPES.has(type))) {
    notes.add("invalid_data", path, type ?? raw);
    return undefined;
  }
  if (!NATIVE_TYPES.has(type)) return otherImage(type, object, notes, path);

  const image: DebugImage = { type };
  const codeFile = readString(
    object.code_file ?? object.name,
    MAX_SHORT_STRING_CHARS,
    notes,
    `${path}.code_file`,
  );
  put(image, "code_file", codeFile);
  put(image, "debug_id", readDebugId(object.debug_id ?? object.id, notes, `${path}.debug_id`));
  put(image, "code_id", readCodeId(object.code_id, notes, `${path}.code_id`));
  put(
    image,
    "debug_file",
    readString(object.debug_file, MAX_SHORT_STRING_CHARS, notes, `${path}.debug_file`),
  );
  put(
    image,
    "debug_checksum",
    readString(object.debug_checksum, MAX_SHORT_STRING_CHARS, notes, `${path}.debug_checksum`),
  );
  put(image, "arch", readString(object.arch, MAX_SHORT_STRING_CHARS, notes, `${path}.arch`));
  put(image, "image_addr", readAddress(object.image_addr, notes, `${path}.image_addr`));
  put(image, "image_size", readUint(object.image_size, notes, `${path}.image_size`));
  put(image, "image_vmaddr", readAddress(object.image_vmaddr, notes, `${path}.image_vmaddr`));
  if (type === "symbolic") image.type = nativeTypeOf(image);
  return image;
}

/**
 * The object format behind a legacy `symbolic` image, when its names make it certain: PE for
 * `.exe`/`.dll`/`.pdb`, Mach-O for dylibs and bundles, ELF when the code id is a GNU build id of at
 * least 16 bytes. Otherwise `symbolic` stays (Sentry treats it as native all the same).
 */
export function nativeTypeOf(image: DebugImage): string {
  const codeFile = (image.code_file ?? "").toLowerCase();
  const debugFile = (image.debug_file ?? "").toLowerCase();
  if (/\.(exe|dll|sys)$/.test(codeFile) || debugFile.endsWith(".pdb")) return "pe";
  if (codeFile.endsWith(".dylib") || /\.(framework|app)\//.test(codeFile)) return "macho";
  if (image.code_id !== undefined && image.code_id.length >= 32) return "elf";
  return "symbolic";
}

/** A debug id in canonical form; unreadable ones are dropped with a note. */
export function readDebugId(value: unknown, notes: Notes, path: string): string | undefined {
  if (isAbsent(value) || value === "") return undefined;
  const id = typeof value === "string" ? normalizeDebugId(value) : undefined;
  if (id === undefined) notes.add("invalid_data", path, value);
  return id;
}

/** A code id as lower-case hex (dashes removed); anything else is dropped with a note. */
export function readCodeId(value: unknown, notes: Notes, path: string): string | undefined {
  if (isAbsent(value) || value === "") return undefined;
  if (typeof value === "string" && /^[0-9a-fA-F-]{1,128}$/.test(value.trim())) {
    const hex = value.trim().replaceAll("-", "").toLowerCase();
    if (hex.length > 0) return hex;
  }
  notes.add("invalid_data", path, value);
  return undefined;
}

function otherImage(
  type: string,
  object: Record<string, unknown>,
  notes: Notes,
  path: string,
): DebugImage | undefined {
  const image = (databagObject(object, notes, path) ?? {}) as DebugImage;
  image.type = type;
  for (const key of Object.keys(image)) if (image[key] === null) delete image[key];
  const fixes: [string, typeof readDebugId][] = [
    ["debug_id", readDebugId],
    ["uuid", readDebugId],
    ["image_addr", readAddress],
    ["image_vmaddr", readAddress],
  ];
  for (const [key, read] of fixes) {
    if (!(key in image)) continue;
    const fixed = read(object[key], notes, `${path}.${key}`);
    if (fixed === undefined) delete image[key];
    else image[key] = fixed;
  }
  return image;
}
