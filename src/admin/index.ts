// The admin API of database mode.
export { adminHandler, type AdminOptions, type AdminHandler } from "./admin-api";
export { AuthThrottle, adminRefusal, type AuthThrottleOptions } from "./auth-throttle";
