# Sourced by scripts/mpi-scaling.sh and scripts/mpi-overlap.sh: the runs they
# time (two workloads), how mpirun starts them (oversubscribed, unbound, as
# root too, THREADS OpenMP threads per rank) and how a run's rate is read.
threads=${THREADS:-1}
export OMP_NUM_THREADS=$threads OMP_WAIT_POLICY=PASSIVE
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mpi=(mpirun --oversubscribe --bind-to none -x OMP_NUM_THREADS -x OMP_WAIT_POLICY)
[[ $(id -u) -eq 0 ]] && mpi+=(--allow-run-as-root)

# name|flags: the MLP on moons and the U-Net on Fashion-MNIST.
workloads=(
  "mlp|--data moons --model mlp --batch 256 --steps 300"
  "unet|--data fashion-mnist --model unet --batch 32 --steps 12"
)
flag_value() { grep -o -- "$1 [0-9]*" <<<"$2" | cut -d' ' -f2; }  # flag_value --steps "$flags"
rate_in() { grep -o '[0-9.]* it/s' "$1" | tail -1 | cut -d' ' -f1; }  # steps/s of a run's log: the whole run's
