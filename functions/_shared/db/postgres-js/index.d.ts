// The types of postgres.js 3.4.9, from the package itself (tools/patches/vendor-postgres.ts).
import postgres from "postgres";
export default postgres;
