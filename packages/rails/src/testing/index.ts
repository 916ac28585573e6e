export { startCallbackReceiver } from "./callback-receiver";
export type { ReceivedCallback } from "./callback-receiver";
