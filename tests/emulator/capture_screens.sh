#!/usr/bin/env bash
# Makes the text captures of the wizard's screens in assets/screens/ (shown in docs/wizard.md): the real
# binary in tmux, against the test emulator, driven by keystrokes. Run after `bash tests/run`
# (which installs the emulator): bash tests/emulator/capture_screens.sh [path/to/binary]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${1:-target/debug/aws-oidc-wizard}"
python="${AOW_EMULATOR_PYTHON:-target/emulator-venv/bin/python}"
out=assets/screens
mkdir -p "$out"
fifo=$(mktemp -u); mkfifo "$fifo"
"$python" tests/emulator/moto_server.py < "$fifo" > "$fifo.port" 2>/dev/null &
moto=$!
exec 3> "$fifo"
trap 'exec 3>&-; kill $moto 2>/dev/null; tmux -L capture kill-server 2>/dev/null; rm -f "$fifo" "$fifo.port"' EXIT
for _ in $(seq 50); do grep -q PORT "$fifo.port" 2>/dev/null && break; sleep 0.1; done
port=$(awk '{print $2}' "$fifo.port")
endpoint="http://127.0.0.1:$port"

tmux -L capture -f /dev/null new-session -d -s w -x 100 -y 30 \
  "env -i PATH=$PATH HOME=$(mktemp -d) TERM=xterm-256color NO_COLOR=1 AWS_EC2_METADATA_DISABLED=true \
   AWS_ENDPOINT_URL=$endpoint AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=example AWS_REGION=eu-west-1 \
   $bin > /dev/null; sleep 60"
keys() { tmux -L capture send-keys -t w "$@"; sleep 0.3; }
text() { tmux -L capture send-keys -t w -l "$1"; sleep 0.3; }
wait_for() { for _ in $(seq 100); do tmux -L capture capture-pane -p -t w | grep -qF "$1" && return; sleep 0.1; done; echo "never saw: $1" >&2; tmux -L capture capture-pane -p -t w >&2; exit 1; }
shot() { tmux -L capture capture-pane -p -t w > "$out/$1.txt"; echo "captured $1"; }

wait_for "✓ Account"; shot 01-account
keys Enter; wait_for "will create"; shot 02-identity-provider
keys Tab Tab Enter; wait_for "Who may assume ─"
text "acme/web"; keys Tab Tab C-u; text "main, release/*"; keys Tab Right; shot 03-who-may-assume
keys Tab Tab Enter; wait_for "(this account's) ·"
text "readonly"; keys Tab Space; shot 04-permissions
keys "?"; shot 04b-help; keys Escape
keys Tab Tab Enter; wait_for "Role name"; shot 05-role
curl -s -X POST "$endpoint/_harness/fail?action=AttachRolePolicy&code=AccessDenied&status=403" > /dev/null
keys Enter; wait_for "Nothing has been changed yet"; shot 06-review
keys a; wait_for "✗ failed"; shot 07-apply-failed
curl -s -X POST "$endpoint/_harness/fail/clear" > /dev/null
keys r; wait_for "Role ARN"; shot 08-done

# The other tasks of the first screen, each in a session of its own.
session() {
  tmux -L capture kill-session -t w 2>/dev/null || true
  tmux -L capture -f /dev/null new-session -d -s w -x 100 -y 30 \
    "env -i PATH=$PATH HOME=$(mktemp -d) TERM=xterm-256color NO_COLOR=1 AWS_EC2_METADATA_DISABLED=true \
     AWS_ENDPOINT_URL=$endpoint AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=example AWS_REGION=eu-west-1 \
     $bin > /dev/null; sleep 60"
  wait_for "✓ Account"
}
env AWS_ENDPOINT_URL=$endpoint AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=example AWS_REGION=eu-west-1 \
  AWS_EC2_METADATA_DISABLED=true "$bin" apply --project acme/api --ref '*' --role-name gitlab-acme-api > /dev/null 2>&1
session; keys BTab Right Enter; wait_for "roles checked"; shot 09-check
claims=$(mktemp)
printf '{"iss":"https://gitlab.com","aud":"https://gitlab.com","exp":%s,"sub":"project_path:acme/web:ref_type:branch:ref:feature"}' "$(( $(date +%s) + 3600 ))" > "$claims"
session; keys BTab Right Right Enter; wait_for "Explain ─"
text "gitlab-acme-web"; keys Tab; text "$claims"; keys Tab Tab Enter; wait_for "would have to be"; shot 10-explain
session; keys BTab Right Right Right Enter; wait_for "Remove ─"
text "gitlab-acme-api"; keys Tab Enter; wait_for "Role      delete"; shot 11-remove
