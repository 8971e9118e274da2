// Load a GGUF with node-llama-cpp (prebuilt llama.cpp, CPU only), capture
// llama.cpp's own buffer-size log lines, time a few decode steps, and print
// node-llama-cpp's GgufInsights estimates for the same file/context.
//
// usage: node measure.mjs MODEL.gguf [--ctx 512,2048] [--batch 512]
//        [--fa on|off|both] [--decode 16] [--threads 2] [--all-logs] [--insights-only]
import {getLlama, LlamaLogLevel, readGgufFileInfo, GgufInsights} from "node-llama-cpp";
import process from "node:process";

const args = process.argv.slice(2);
const modelPath = args[0];
const opt = (name, def) => {
    const i = args.indexOf("--" + name);
    return i >= 0 ? args[i + 1] : def;
};
const ctxSizes = opt("ctx", "512,2048").split(",").map(Number);
const batchSize = Number(opt("batch", "512"));
const faModes = {on: [true], off: [false], both: [false, true]}[opt("fa", "both")];
const nDecode = Number(opt("decode", "16"));
const threads = Number(opt("threads", "2"));
const allLogs = args.includes("--all-logs");
const insightsOnly = args.includes("--insights-only");  // no real context: GgufInsights only

const INTERESTING = /Simulating|load time|prompt eval time|eval time|total time|graphs reused|llama_perf|buffer size|KV self size|llama_kv_cache|kv_cache|compute buffer|graph nodes|graph splits|n_ctx|n_batch|n_ubatch|flash_attn|model size|model params|file type|CPU_Mapped|CPU_REPACK|mmap|llama_context:|print_info: (arch|n_embd|n_layer|n_head|n_ff|n_vocab|type)|system_info|load_tensors|llama_model_loader: - type/;
let logSink = [];
const llama = await getLlama({
    gpu: false,
    build: "never",
    skipDownload: true,
    usePrebuiltBinaries: true,
    progressLogs: false,
    logLevel: LlamaLogLevel.debug,
    logger(level, message) {
        const m = message.replace(/\n$/, "");
        logSink.push(`[${level}] ${m}`);
    }
});
const mib = (b) => (b / 1024 / 1024).toFixed(3) + " MiB";
// llama.cpp logs reach the JS logger asynchronously: let them drain first.
const drain = () => new Promise((r) => setTimeout(r, 200));
const dump = async (title) => {
    await drain();
    console.log(`--- llama.cpp log: ${title}`);
    for (const l of logSink)
        if (allLogs || INTERESTING.test(l)) console.log("  " + l);
    logSink = [];
};

console.log("node-llama-cpp llama.cpp release:", llama.llamaCppRelease, "gpu:", llama.gpu,
    "buildType:", llama.buildType, "cpuMathCores:", llama.cpuMathCores);
console.log("system info:", llama.systemInfo);
logSink = [];

let model = null;
if (!insightsOnly) {
    const tLoad = performance.now();
    model = await llama.loadModel({modelPath, gpuLayers: 0});
    console.log(`loadModel: ${(performance.now() - tLoad).toFixed(1)} ms, model.size=${model.size} (${mib(model.size)})`);
    await dump("loadModel");
}

const info = await readGgufFileInfo(modelPath);
const insights = await GgufInsights.from(info, llama);
const mreq = insights.estimateModelResourceRequirements({gpuLayers: 0});
console.log(`GgufInsights model: cpuRam=${mreq.cpuRam} (${mib(mreq.cpuRam)}) gpuVram=${mreq.gpuVram}` +
    ` modelSize=${insights.modelSize} trainCtx=${insights.trainContextSize}`);
try {
    const m2 = await insights.estimateModelResourceRequirementsV2({gpuLayers: 0});
    console.log(`GgufInsights model V2: cpuRam=${m2.cpuRam} (${mib(m2.cpuRam)}) gpuVram=${m2.gpuVram}`);
} catch (e) { console.log("GgufInsights model V2 failed:", e.message); }
await dump("insights(model)");

for (const fa of faModes) for (const contextSize of ctxSizes) {
    const label = `ctx=${contextSize} batch=${batchSize} flashAttention=${fa}`;
    console.log(`\n===== ${label}`);
    const creq = insights.estimateContextResourceRequirements({
        contextSize, modelGpuLayers: 0, batchSize, sequences: 1, flashAttention: fa});
    console.log(`GgufInsights context (V1): cpuRam=${creq.cpuRam} (${mib(creq.cpuRam)}) gpuVram=${creq.gpuVram}`);
    const creqNoGraph = insights.estimateContextResourceRequirements({
        contextSize, modelGpuLayers: 0, batchSize, sequences: 1, flashAttention: fa, includeGraphOverhead: false});
    console.log(`GgufInsights context (V1, no graph overhead): cpuRam=${creqNoGraph.cpuRam} (${mib(creqNoGraph.cpuRam)})`);
    try {
        const c2 = await insights.estimateContextResourceRequirementsV2({
            contextSize, modelGpuLayers: 0, batchSize, sequences: 1, flashAttention: fa});
        console.log(`GgufInsights context (V2): cpuRam=${c2.cpuRam} (${mib(c2.cpuRam)}) gpuVram=${c2.gpuVram}`);
    } catch (e) { console.log("GgufInsights context V2 failed:", e.message); }
    await dump("insights(context)");

    if (insightsOnly) continue;
    const rss0 = process.memoryUsage().rss;
    const ctx = await model.createContext({contextSize, batchSize, flashAttention: fa, threads, sequences: 1, performanceTracking: true});
    console.log(`createContext: contextSize=${ctx.contextSize} batchSize=${ctx.batchSize} stateSize=${ctx.stateSize}` +
        ` rss delta=${mib(process.memoryUsage().rss - rss0)}`);
    await dump("createContext");

    if (nDecode > 0) {
        const seq = ctx.getSequence();
        const prompt = model.tokenize("hello world, this is a test");
        const times = [];
        let t = performance.now();
        let n = 0;
        for await (const tok of seq.evaluate(prompt, {temperature: 0})) {
            const now = performance.now();
            times.push(now - t);
            t = now;
            if (++n >= nDecode) break;
        }
        const steady = times.slice(1);
        const avg = steady.reduce((a, b) => a + b, 0) / Math.max(1, steady.length);
        console.log(`decode: prompt ${prompt.length} tok; first token (prefill+1) ${times[0].toFixed(2)} ms;` +
            ` next ${steady.length} tokens avg ${avg.toFixed(3)} ms/token (${(1000 / avg).toFixed(1)} tok/s)`);
        console.log(`decode per-token ms: ${steady.map((x) => x.toFixed(2)).join(" ")}`);
        await dump("decode");
        await ctx.printTimings();  // llama.cpp's own llama_perf_context_print
        await dump("printTimings");
    }
    await ctx.dispose();
    await dump("dispose");
}
await model?.dispose();
await llama.dispose();
