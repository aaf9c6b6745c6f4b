#!/usr/bin/env bash
# Device check for the ND4J CUDA backend: run on a machine with an NVIDIA GPU, a CUDA 11.6 runtime and the CUDA
# jars in ~/.m2 (mvn -Pcuda dependency:resolve once, with network). Builds the CPU and the CUDA jars, computes every
# built-in workload x strategy on both, checks agreement to 1e-5 (float32) and writes timings to OUT/gpu-check.csv.
# Usage: bench/gpu-check.sh [OUT_DIR] [N]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/gpu-check}
n=${2:-256}
mkdir -p "$out"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$out/gpu.txt"
mvn -B -q -o -DskipTests package && cp target/jaclab-all.jar "$out/jaclab-cpu.jar"
mvn -B -q -o -Pcuda -DskipTests package && cp target/jaclab-all.jar "$out/jaclab-cuda.jar"
mvn -B -q -o -DskipTests package   # leave the default CPU jar in target/
JACLAB_BACKEND=cpu java -cp "$out/jaclab-cpu.jar" dev.jaclab.cli.GpuCheck dump "$out/cpu" "$n"
JACLAB_BACKEND=cuda java -cp "$out/jaclab-cuda.jar" dev.jaclab.cli.GpuCheck dump "$out/gpu" "$n"
java -cp "$out/jaclab-cpu.jar" dev.jaclab.cli.GpuCheck compare "$out/cpu" "$out/gpu" | tee "$out/agreement.txt"
{ cat "$out/cpu/timings.csv"; tail -n +2 "$out/gpu/timings.csv"; } > "$out/gpu-check.csv"
echo "wrote $out/gpu-check.csv and $out/agreement.txt"
