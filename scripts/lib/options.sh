# shellcheck shell=bash
# Sourced by scripts that take long options (cmake/windows-deps/build-deps.sh,
# tests/windows/wine_lib.sh): one loop for `--name VALUE` arguments.
#
#   parse_options "NAME... SWITCH?..." "$@"
#
# sets the shell variable of each NAME from `--NAME VALUE` (a dash in the name is an
# underscore in the variable: --linux-exporter sets linux_exporter) and each SWITCH
# given as `--SWITCH` to "yes". Returns 2 at the first other argument (or a NAME
# without its value), which it leaves in $bad_option for the caller's message.
parse_options() {
  local _known=" $1 " _name
  shift
  bad_option=""
  while [ $# -gt 0 ]; do
    _name="${1#--}"
    if [ "$_name" != "$1" ] && [[ "$_known" == *" $_name? "* ]]; then
      printf -v "${_name//-/_}" '%s' yes
      shift
    elif [ "$_name" != "$1" ] && [[ "$_known" == *" $_name "* ]] && [ $# -ge 2 ]; then
      printf -v "${_name//-/_}" '%s' "$2"
      shift 2
    else
      bad_option="$1"
      return 2
    fi
  done
}
