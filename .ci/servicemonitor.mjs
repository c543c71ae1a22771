// Validates ServiceMonitor objects (JSON on stdin: [{file, doc}]) against prometheus-operator's
// CRD schema, as compiled into npm's @kubernetes-models/prometheus-operator, installed by
// .ci/deploy-checks under $NODE_TOOLS. The CRD schema is the API server's own: types, enums,
// patterns and required fields (like the server, it does not reject unknown fields).
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const root = process.env.NODE_TOOLS;
if (!root) throw new Error("NODE_TOOLS is not set");
const model = `${root}/node_modules/@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor.js`;
const { ServiceMonitor } = await import(pathToFileURL(model).href);

let failed = 0;
for (const { file, doc } of JSON.parse(readFileSync(0, "utf8"))) {
  try {
    new ServiceMonitor(doc).validate();
  } catch (e) {
    failed += 1;
    console.error(`${file}: ServiceMonitor/${doc?.metadata?.name}: ${e.message}`);
  }
}
process.exit(failed ? 1 : 0);
