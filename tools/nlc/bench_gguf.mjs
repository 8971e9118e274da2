// Times node-llama-cpp's GGUF reader (readGgufFileInfo: header, metadata and
// tensor infos, as llmroof_model_from_gguf reads) on each file given.
// Median of 9 runs of the mean per read, as llmroof-bench --gguf reports.
//   node bench_gguf.mjs FILE.gguf...
import {readGgufFileInfo} from "node-llama-cpp";
import process from "node:process";

for (const path of process.argv.slice(2)) {
    let info = null;
    const times = [];
    let reads = 0;
    for (let r = 0; r < 9; r++) {
        const t0 = process.hrtime.bigint();
        let n = 0, t1;
        do {
            info = await readGgufFileInfo(path, {readTensorInfo: true, logWarnings: false});
            n++;
            t1 = process.hrtime.bigint();
        } while (Number(t1 - t0) < 5e7 || n < 3);
        times.push(Number(t1 - t0) / n / 1e6);
        reads += n;
    }
    times.sort((a, b) => a - b);
    const tensors = info.fullTensorInfo ? info.fullTensorInfo.length : info.tensorCount;
    console.log(`node-llama-cpp readGgufFileInfo, ${path} (${tensors} tensors): ` +
        `${times[4].toFixed(3)} ms  [${reads} reads over 9 runs]`);
}
