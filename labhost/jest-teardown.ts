export { globalTeardown as default } from "./jest-setup";
