// AssemblyScript transform: renames the SDK's glue exports to their canonical-ABI names,
// which are not valid AssemblyScript identifiers. Enabled by asconfig.json ("transform").
import { Transform } from "assemblyscript/transform";

const RENAMES = {
  handleRequest: "fermyon:spin/inbound-http#handle-request",
  cabi_post_handleRequest: "cabi_post_fermyon:spin/inbound-http#handle-request",
  handleMessage: "fermyon:spin/inbound-redis#handle-message",
};

export default class SpindleExports extends Transform {
  afterCompile(module) {
    const binaryen = this.binaryen;
    for (const [from, to] of Object.entries(RENAMES)) {
      const ref = module.getExport(from);
      if (!ref) continue;
      const info = binaryen.getExportInfo(ref);
      if (info.kind !== binaryen.ExternalFunction) continue;
      module.removeExport(from);
      module.addFunctionExport(info.value, to);
    }
  }
}
