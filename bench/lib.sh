# Shared by bench/run.sh and bench/check-command.sh.

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Installs Debian packages when root or with passwordless sudo; fails otherwise.
apt_install() {
    local sudo=""
    command -v apt-get >/dev/null || return 1
    if [[ $(id -u) != 0 ]]; then
        sudo -n true 2>/dev/null || return 1
        sudo="sudo -n"
    fi
    if [[ -z "${APT_UPDATED:-}" ]]; then
        $sudo apt-get update -qq >/dev/null 2>&1 || true
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null 2>&1
}
