// Platform families: which rules (native names, JavaScript names, everything else) a frame or event
// follows, from its `platform`.

export type PlatformFamily = "native" | "javascript" | "other";

const NATIVE_PLATFORMS = new Set(["native", "c", "cpp", "objc", "cocoa", "swift", "rust"]);
const JAVASCRIPT_PLATFORMS = new Set(["javascript", "node"]);

export function platformFamily(platform: string | undefined): PlatformFamily {
  if (platform && NATIVE_PLATFORMS.has(platform)) return "native";
  if (platform && JAVASCRIPT_PLATFORMS.has(platform)) return "javascript";
  return "other";
}
