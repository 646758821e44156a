#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for trying and testing `npm run sweep -- --executor slurm`.
#
#   eval "$(bash scripts/slurm-cluster.sh up)"   # start; prints `export SLURM_CONF=…` for the clients
#   bash scripts/slurm-cluster.sh env [DIR]       # print that line again
#   bash scripts/slurm-cluster.sh status [DIR]    # the daemons and the queue
#   bash scripts/slurm-cluster.sh down [DIR]      # cancel every job, stop the daemons, remove DIR
#
# Everything lives under one folder (default: a new mktemp folder; `up --dir DIR` to choose):
# slurm.conf, a munge key and socket of its own, state, spool, logs and pid files. Nothing in
# /etc is touched and no other munged or Slurm daemon is stopped: `down` signals only the pids in
# DIR's pid files, and only if they still run the daemon that wrote them. DIR defaults to the
# folder of $SLURM_CONF for env/status/down. Needs root (slurmd starts jobs as their user) and
# Debian's `munge slurmctld slurmd slurm-client` (scripts/setup.sh installs them).
#
# up options: --dir DIR, --cpus N (default: all cores), --ctld-port P, --slurmd-port P. Without a
# port option the first free pair from 6817/6818 upwards is taken; a port given and in use is an error.
set -euo pipefail

die() {
  echo "slurm-cluster: $*" >&2
  exit 1
}

port_in_use() {
  # A connect that succeeds means something listens (no ss/netstat needed on a bare machine).
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

state_dir() {
  local dir="${1:-}"
  if [ -z "$dir" ]; then
    [ -n "${SLURM_CONF:-}" ] || die "say which cluster: give its folder, or export SLURM_CONF=<folder>/slurm.conf"
    dir="$(dirname "$SLURM_CONF")"
  fi
  [ -f "$dir/slurm.conf" ] && [ -f "$dir/.evolab-slurm-cluster" ] || die "$dir is not a cluster made by this script"
  (cd "$dir" && pwd)
}

# The pid in FILE if that process still runs the program NAME (Debian's daemons run as *-wlm).
live_pid() {
  local file="$1" name="$2" pid exe
  [ -f "$file" ] || return 1
  pid="$(tr -dc '0-9' <"$file")"
  [ -n "$pid" ] || return 1
  exe="$(readlink "/proc/$pid/exe" 2>/dev/null)" || return 1
  case "$(basename "$exe")" in
  "$name" | "$name"-wlm) echo "$pid" ;;
  *) return 1 ;;
  esac
}

wait_gone() {
  local pid="$1" i
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  return 1
}

stop_daemon() {
  local file="$1" name="$2" pid
  if pid="$(live_pid "$file" "$name")"; then
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid" || {
      echo "slurm-cluster: $name ($pid) did not stop on SIGTERM; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" || true
    }
  fi
}

print_env() {
  echo "export SLURM_CONF=$1/slurm.conf"
}

cmd_up() {
  local dir="" cpus ctld_port="" slurmd_port="" explicit_ports=0
  cpus="$(nproc)"
  while [ $# -gt 0 ]; do
    case "$1" in
    --dir) dir="$2"; shift 2 ;;
    --cpus) cpus="$2"; shift 2 ;;
    --ctld-port) ctld_port="$2"; explicit_ports=1; shift 2 ;;
    --slurmd-port) slurmd_port="$2"; explicit_ports=1; shift 2 ;;
    *) die "unknown option $1 (up takes --dir DIR, --cpus N, --ctld-port P, --slurmd-port P)" ;;
    esac
  done
  [ "$(id -u)" -eq 0 ] || die "run as root (slurmd must start jobs as their user)"
  local bin
  for bin in munged slurmctld slurmd sbatch squeue scancel scontrol; do
    command -v "$bin" >/dev/null || die "$bin is missing: apt-get install munge slurmctld slurmd slurm-client (scripts/setup.sh does)"
  done

  if [ "$explicit_ports" = 1 ]; then
    ctld_port="${ctld_port:-6817}"
    slurmd_port="${slurmd_port:-$((ctld_port + 1))}"
    ! port_in_use "$ctld_port" || die "port $ctld_port (slurmctld) is in use; choose another with --ctld-port"
    ! port_in_use "$slurmd_port" || die "port $slurmd_port (slurmd) is in use; choose another with --slurmd-port"
  else
    ctld_port=6817
    while port_in_use "$ctld_port" || port_in_use "$((ctld_port + 1))"; do
      ctld_port=$((ctld_port + 2))
      [ "$ctld_port" -lt 6917 ] || die "no free port pair between 6817 and 6917; give --ctld-port and --slurmd-port"
    done
    slurmd_port=$((ctld_port + 1))
  fi

  if [ -z "$dir" ]; then
    dir="$(mktemp -d "${TMPDIR:-/tmp}/evolab-slurm.XXXXXX")"
  else
    mkdir -p "$dir"
    [ -z "$(ls -A "$dir")" ] || die "$dir is not empty; give an empty or new folder"
  fi
  dir="$(cd "$dir" && pwd)"
  touch "$dir/.evolab-slurm-cluster"
  mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
  chmod 755 "$dir" "$dir/munge" # clients of any user reach munged's socket

  # munged refuses keys that others can read.
  dd if=/dev/urandom of="$dir/munge.key" bs=1024 count=1 status=none
  chmod 400 "$dir/munge.key"
  local socket="$dir/munge/munge.socket.2"
  local mem_mb
  mem_mb=$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024))

  cat >"$dir/slurm.conf" <<EOF
# Made by scripts/slurm-cluster.sh: a one-node cluster for EvoLab's sweeps.
ClusterName=evolab
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# Our own munged; short credential lifetime so a requeued job does not wait 120 s.
AuthInfo=socket=$socket,cred_expire=5
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
# No systemd, no cgroups, no accounting database.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
# The only lasting record of finished jobs (sacct needs slurmdbd).
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
# Start array tasks within a second instead of every 3 s.
SchedulerParameters=batch_sched_delay=0,sched_interval=1,bf_interval=1
ReturnToService=2
SlurmdParameters=config_overrides
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=main Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF

  munged --socket="$socket" --key-file="$dir/munge.key" --pid-file="$dir/munged.pid" \
    --log-file="$dir/log/munged.log" --seed-file="$dir/munged.seed" </dev/null >/dev/null 2>&1 ||
    die "munged did not start; see $dir/log/munged.log"
  export SLURM_CONF="$dir/slurm.conf"
  slurmctld -f "$SLURM_CONF" </dev/null >/dev/null 2>&1 || die "slurmctld did not start; see $dir/log/slurmctld.log"
  slurmd -f "$SLURM_CONF" -N localhost </dev/null >/dev/null 2>&1 || die "slurmd did not start; see $dir/log/slurmd.log"

  local i state=""
  for i in $(seq 1 100); do
    state="$(sinfo -h -N -o '%T' 2>/dev/null | head -n1 || true)"
    [ "$state" = "idle" ] && break
    sleep 0.1
  done
  if [ "$state" != "idle" ]; then
    cmd_down "$dir" >/dev/null 2>&1 || true
    die "the node did not become idle (state: ${state:-unknown}); the logs were in $dir/log"
  fi
  echo "slurm-cluster: up in $dir (slurmctld :$ctld_port, slurmd :$slurmd_port, $cpus CPUs)" >&2
  print_env "$dir"
}

cmd_down() {
  local dir
  dir="$(state_dir "${1:-}")"
  export SLURM_CONF="$dir/slurm.conf"
  # A client call without munged hangs for ~50 s: cancel only while our munged runs.
  if live_pid "$dir/munged.pid" munged >/dev/null && live_pid "$dir/slurmctld.pid" slurmctld >/dev/null; then
    timeout 10 scancel --quiet --user="$(id -un)" 2>/dev/null || true
  fi
  stop_daemon "$dir/slurmd.pid" slurmd
  stop_daemon "$dir/slurmctld.pid" slurmctld
  stop_daemon "$dir/munged.pid" munged
  rm -rf "$dir"
  echo "slurm-cluster: down ($dir removed)" >&2
}

cmd_status() {
  local dir name
  dir="$(state_dir "${1:-}")"
  export SLURM_CONF="$dir/slurm.conf"
  for name in munged slurmctld slurmd; do
    if pid="$(live_pid "$dir/$name.pid" "$name")"; then echo "$name: running (pid $pid)"; else echo "$name: not running"; fi
  done
  if live_pid "$dir/munged.pid" munged >/dev/null && live_pid "$dir/slurmctld.pid" slurmctld >/dev/null; then
    timeout 10 sinfo -N -o '%N %T %C' || true
    timeout 10 squeue || true
  fi
}

case "${1:-}" in
up) shift; cmd_up "$@" ;;
down) shift; cmd_down "$@" ;;
env) shift; print_env "$(state_dir "${1:-}")" ;;
status) shift; cmd_status "$@" ;;
*) die "usage: slurm-cluster.sh up [--dir DIR] [--cpus N] [--ctld-port P] [--slurmd-port P] | env [DIR] | status [DIR] | down [DIR]" ;;
esac
