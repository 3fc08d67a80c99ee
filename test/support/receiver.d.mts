export function startReceiver(): Promise<{ url: string; close(): Promise<void> }>;
