// The admin API of database mode.
export { adminHandler, type AdminOptions } from "./admin-api";
