export { globalTeardown as default } from "./lab-host";
