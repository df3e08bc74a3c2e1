/*===- swinrt.h - C API of a compiled Swin model ------------------*- C -*-===//
 *
 * A folder written by `swin-compile MODEL.onnx -o OUT` holds libswinmodel.so,
 * which exports this API, the weights file model.swinw and this header.
 *
 *   swinrt_engine *engine;
 *   if (swinrt_create("OUT", 0, stream, &engine) != SWINRT_OK)
 *     fprintf(stderr, "%s\n", swinrt_last_error());
 *   swinrt_run(engine, d_input, SWINRT_FLOAT32, d_logits, SWINRT_FLOAT32, batch);
 *   swinrt_destroy(engine);
 *
 * Inputs are device pointers to NCHW images, outputs device pointers to
 * [batch, classes] logits. Every call returns a status; on failure
 * swinrt_last_error() holds one line saying what went wrong (per thread).
 * The header needs no CUDA headers: a stream is passed as `void *`
 * (a cudaStream_t), NULL for the legacy default stream.
 *
 * Threads: an engine may be called from several host threads; it
 * serialises their calls (each waits for the previous call to be enqueued,
 * and their work runs on the device in that order). Only swinrt_destroy
 * must not overlap another call on the same engine. Engines are
 * independent: one per thread or stream runs concurrently.
 *
 * Debug settings, read from the environment by swinrt_create (an unknown
 * value makes it fail with SWINRT_ERROR_INVALID_ARGUMENT):
 *   SWINRT_GEMM=reference  every GEMM runs as a plain CUDA kernel (one
 *       thread per output, fp32 accumulation) instead of cuBLASLt or
 *       CUTLASS: much slower, but all its loads and stores are ones that
 *       compute-sanitizer's initcheck tracks. "auto" (the default) is the
 *       normal choice.
 *   SWINRT_INJECT_FAULT=graph-capture  every CUDA graph capture fails (a
 *       call that is illegal while capturing invalidates it), to test the
 *       fallback: the engine says so once on stderr and runs eagerly.
 *
 *===----------------------------------------------------------------------===*/
#ifndef SWINRT_H
#define SWINRT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SWINRT_API __attribute__((visibility("default")))
#else
#define SWINRT_API
#endif

typedef enum swinrt_status {
  SWINRT_OK = 0,
  SWINRT_ERROR_INVALID_ARGUMENT = 1, /* null pointer, bad dtype, ...     */
  SWINRT_ERROR_NO_DEVICE = 2,        /* no CUDA device or driver          */
  SWINRT_ERROR_WRONG_ARCH = 3,       /* library not built for this GPU    */
  SWINRT_ERROR_BATCH = 4,            /* batch < 1 or above the maximum    */
  SWINRT_ERROR_WEIGHTS = 5,          /* missing, truncated or foreign     */
  SWINRT_ERROR_IO = 6,               /* a file unreadable or malformed    */
  SWINRT_ERROR_OUT_OF_MEMORY = 7,
  SWINRT_ERROR_CUDA = 8,             /* a CUDA call failed                */
  SWINRT_ERROR_CUBLAS = 9            /* a cuBLASLt call failed            */
} swinrt_status;

typedef enum swinrt_dtype { SWINRT_FLOAT32 = 0, SWINRT_FLOAT16 = 1 } swinrt_dtype;

/* Per-layer categories of swinrt_profile, in table order. */
enum {
  SWINRT_LAYER_PATCH_EMBED = 0,
  SWINRT_LAYER_NORM_PARTITION,
  SWINRT_LAYER_ATTENTION,
  SWINRT_LAYER_PROJECTION,
  SWINRT_LAYER_MLP_FC1,
  SWINRT_LAYER_MLP_FC2,
  SWINRT_LAYER_MERGING,
  SWINRT_LAYER_HEAD,
  SWINRT_LAYER_OTHER,
  SWINRT_NUM_LAYERS
};

typedef struct swinrt_model_info {
  int max_batch;
  int in_channels, in_height, in_width;
  int num_classes;
  const char *precision; /* "fp32", "tf32", "fp16", "bf16", "fp8", "int8" */
  const char *archs;     /* e.g. "sm_80,sm_90" */
  uint64_t arena_bytes;  /* activations at the maximum batch */
  uint64_t weights_bytes;
  uint64_t model_hash;
} swinrt_model_info;

typedef struct swinrt_engine swinrt_engine;

/* What the library was compiled for; needs no GPU. */
SWINRT_API swinrt_status swinrt_get_info(swinrt_model_info *info);

/* Loads `model_dir`/model.swinw (checked: magic, version, model, checksum)
 * and prepares `device` to run on `stream`. Reads the folder's tuning file
 * for this GPU model where swinrt_autotune wrote one. */
SWINRT_API swinrt_status swinrt_create(const char *model_dir, int device, void *stream,
                                       swinrt_engine **engine);

/* Runs `batch` images (1 <= batch <= max_batch) on the engine's stream.
 * The first call at each batch size captures a CUDA graph that later calls
 * replay. Asynchronous: synchronise the stream before reading `output`. */
SWINRT_API swinrt_status swinrt_run(swinrt_engine *engine, const void *input,
                                    swinrt_dtype input_dtype, void *output,
                                    swinrt_dtype output_dtype, int batch);

/* swinrt_run on `stream` (a cudaStream_t; NULL is the legacy default
 * stream) instead of the engine's: for callers whose stream changes from
 * call to call, like a framework's current stream. The graph captured for
 * the batch size is replayed there. Calls on different streams are
 * ordered: each waits for the engine's previous call, whose buffers it
 * reuses. */
SWINRT_API swinrt_status swinrt_run_on_stream(swinrt_engine *engine, void *stream,
                                              const void *input, swinrt_dtype input_dtype,
                                              void *output, swinrt_dtype output_dtype,
                                              int batch);

/* swinrt_run on host memory: copies the input in and the output back
 * through buffers the engine owns. Synchronous. */
SWINRT_API swinrt_status swinrt_run_host(swinrt_engine *engine, const void *input,
                                         swinrt_dtype input_dtype, void *output,
                                         swinrt_dtype output_dtype, int batch);

/* Times `iterations` runs (after warm-up) on random device-resident fp32
 * inputs with CUDA events, each run timed alone; writes the median and the
 * minimum milliseconds. Synchronous. */
SWINRT_API swinrt_status swinrt_benchmark(swinrt_engine *engine, int batch, int iterations,
                                          double *median_ms, double *min_ms);

/* Runs the forward eagerly (no graph) `iterations` times on random inputs,
 * with an event between layers, and writes the mean milliseconds of each
 * SWINRT_LAYER_* category into `ms[SWINRT_NUM_LAYERS]`. Synchronous. */
SWINRT_API swinrt_status swinrt_profile(swinrt_engine *engine, int batch, int iterations,
                                        double *ms);

SWINRT_API const char *swinrt_layer_name(int layer);

/* Autotunes the GEMMs at `batch`: for each distinct GEMM of the model,
 * times up to `candidates` (1..64) of cuBLASLt's heuristic candidates on
 * this GPU and keeps the fastest for later runs at that batch. The choices
 * are saved in the model folder, in the tuning file of this GPU model
 * (swinrt_tuning_file), which swinrt_create reads back. `heuristic_ms` and
 * `tuned_ms` (either may be NULL) receive the GEMM time of one forward
 * pass with the heuristic's first choice and with the tuned choice.
 * Synchronous. If the file cannot be written, the tuning still applies to
 * this engine and the call returns SWINRT_ERROR_IO. */
SWINRT_API swinrt_status swinrt_autotune(swinrt_engine *engine, int batch, int candidates,
                                         double *heuristic_ms, double *tuned_ms);

/* The tuning file of the engine's GPU model, whether or not it exists yet
 * ("" for a null engine). */
SWINRT_API const char *swinrt_tuning_file(const swinrt_engine *engine);

SWINRT_API swinrt_status swinrt_destroy(swinrt_engine *engine);

/* The message of the last failed call on this thread ("" if none). */
SWINRT_API const char *swinrt_last_error(void);

SWINRT_API const char *swinrt_status_string(swinrt_status status);

#ifdef __cplusplus
}
#endif

#endif /* SWINRT_H */
