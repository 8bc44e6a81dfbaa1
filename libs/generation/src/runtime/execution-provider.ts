/**
 * Which ONNX Runtime execution provider a session uses. 'auto' takes CUDA only when this
 * onnxruntime-node build ships it; asking for 'cuda' where it is missing falls back to CPU with a
 * log line instead of crashing, so the same config runs on GPU and CPU machines.
 */
import * as ort from 'onnxruntime-node';

export type ExecutionProviderChoice = 'auto' | 'cuda' | 'cpu';

export function cudaAvailable(): boolean {
  const list = (ort as unknown as { listSupportedBackends?: () => { name: string; bundled: boolean }[] }).listSupportedBackends;
  return list?.().some((b) => b.name === 'cuda' && b.bundled) ?? false;
}

export function createSessionOptions(
  choice: ExecutionProviderChoice,
  threads?: number,
  log?: (message: string) => void,
): { options: ort.InferenceSession.SessionOptions; provider: 'cuda' | 'cpu' } {
  let provider: 'cuda' | 'cpu' = 'cpu';
  if (choice === 'cuda') provider = 'cuda';
  else if (choice === 'auto' && cudaAvailable()) provider = 'cuda';
  if (choice === 'auto' && provider === 'cpu') log?.('CUDA is not bundled with this onnxruntime-node; using cpu');
  return {
    provider,
    options: {
      executionProviders: [provider],
      graphOptimizationLevel: 'all',
      // Batch shapes change every step; an arena would keep the largest step's buffers forever.
      enableCpuMemArena: false,
      // Quiet: a missing CUDA library is reported once by our fallback, not as native error spew.
      logSeverityLevel: provider === 'cuda' ? 4 : 3,
      ...(threads ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}),
    },
  };
}
