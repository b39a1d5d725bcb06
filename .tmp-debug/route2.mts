import { pageRoutes } from "../workers/admin/routes/pages";
console.log(pageRoutes.routes.map((r) => r.method + " " + r.path).join("\n"));
