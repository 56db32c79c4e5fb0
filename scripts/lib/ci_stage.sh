# shellcheck shell=bash
# Sourced by the CI stages (scripts/ci/*.sh); needs $here set to the project root.
# Brings install_missing (scripts/lib/install.sh) and:
#
#   ci_stage_switch NAME VARIABLE   ends the stage, as passed, when $VARIABLE is 0
#                                   (a quick local run skips a long stage)
# shellcheck source=scripts/lib/install.sh
. "$here/scripts/lib/install.sh"

ci_stage_switch() {
  if [ "${!2:-1}" = 0 ]; then
    echo "ci/$1: skipped ($2=0)"
    exit 0
  fi
}
