#!/usr/bin/env bash
# Starts a private, throw-away PostgreSQL cluster for Parley's tests and prints
# the line that points the tests at it:
#
#   eval "$(bash .ci/postgres.sh)"       # start (idempotent), then export
#   go test ./...                         # PostgreSQL tests now run too
#   bash .ci/postgres.sh stop             # stop the cluster and delete it
#
# Commands: start (the default), stop (stop and delete), halt (stop the
# server but keep its data, as a crash or a maintenance window would) and
# restart (halt, then start). start after halt brings the same data back.
# Several clusters can live side by side on different ports, e.g. one that a
# test stops and starts under a running Parley, while other tests keep
# using the default one:
#
#   eval "$(PARLEY_PG_PORT=54330 PARLEY_PG_EXPORT=PARLEY_TEST_POSTGRES_RESTART_URL bash .ci/postgres.sh)"
#   PARLEY_PG_PORT=54330 bash .ci/postgres.sh halt
#
# Only the export line goes to stdout; every diagnostic goes to stderr.
# It works as root on a fresh Debian 12 machine (installing the postgresql
# package if needed and running the server as an unprivileged user "pgtest",
# because initdb refuses root) and as an ordinary user who has PostgreSQL's
# binaries installed. The cluster trusts every local connection and runs with
# fsync off: it is for tests only and its data does not survive a crash.
#
# Environment (all optional):
#   PARLEY_PG_PORT  TCP port on 127.0.0.1 (default 54329)
#   PARLEY_PG_DIR   where the cluster lives (default /tmp/parley-pgtest-PORT; as root,
#                   its parent must be searchable by the user pgtest)
#   PARLEY_PG_EXPORT  the variable start exports (default PARLEY_TEST_POSTGRES_URL)
set -euo pipefail

port=${PARLEY_PG_PORT:-54329}
export_var=${PARLEY_PG_EXPORT:-PARLEY_TEST_POSTGRES_URL}
[[ $export_var =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || { echo "postgres.sh: error: PARLEY_PG_EXPORT=$export_var is not a variable name" >&2; exit 1; }
base=${PARLEY_PG_DIR:-/tmp/parley-pgtest-$port}
os_user=pgtest
db_user=parley
db_name=parley
datadir=$base/data
sockdir=$base/sock
logfile=$base/server.log

log() { echo "postgres.sh: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# pg_bin prints the newest installed PostgreSQL server's bin directory.
pg_bin() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
	if [[ -n $d && -x $d/initdb ]]; then
		echo "$d"
		return
	fi
	d=$(command -v initdb 2>/dev/null || true)
	[[ -n $d ]] && dirname "$(readlink -f "$d")"
	return 0
}

install_postgres() {
	[[ $EUID -eq 0 ]] || die "PostgreSQL is not installed; run as root, or install the postgresql package"
	log "installing PostgreSQL with apt-get"
	# Do not let the package create and start its own "main" cluster on 5432:
	# the tests use only the private cluster below.
	mkdir -p /etc/postgresql-common/createcluster.d
	echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.d/parley-ci.conf
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq --no-install-recommends postgresql >&2
}

# as_owner runs a command as the user that owns the cluster.
as_owner() {
	if [[ $EUID -eq 0 ]]; then
		runuser -u "$os_user" -- "$@"
	else
		"$@"
	fi
}

bin=$(pg_bin)
cmd=${1:-start}

# halt_server stops the server, if one runs on the cluster, and keeps the
# data. Fast mode ends open sessions at once, as clients see in an outage.
halt_server() {
	if [[ -n $bin && -f $datadir/postmaster.pid ]]; then
		as_owner "$bin/pg_ctl" -D "$datadir" -m fast -w -t 60 stop >&2
	fi
}

case $cmd in
stop)
	halt_server || true
	rm -rf "$base"
	log "stopped and removed $base"
	exit 0
	;;
halt)
	[[ -f $datadir/PG_VERSION ]] || die "no cluster in $datadir"
	halt_server || die "the server did not stop"
	log "halted the server on 127.0.0.1:$port; start brings it back"
	exit 0
	;;
restart)
	halt_server || die "the server did not stop"
	;;
start) ;;
*) die "usage: $0 [start|stop|halt|restart]" ;;
esac

if [[ -z $bin ]]; then
	install_postgres
	bin=$(pg_bin)
	[[ -n $bin ]] || die "no initdb found after installing postgresql"
fi
log "using $bin"

if [[ $EUID -eq 0 ]]; then
	if ! id -u "$os_user" >/dev/null 2>&1; then
		log "creating user $os_user"
		useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$os_user"
	fi
	owner=$os_user
else
	owner=$(id -un)
fi

psql_cmd=("$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U "$db_user")

if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U "$db_user"; then
	log "a server is already listening on 127.0.0.1:$port"
else
	mkdir -p "$base"
	chown "$owner" "$base"
	chmod 700 "$base"
	if [[ ! -f $datadir/PG_VERSION ]]; then
		# A half-made directory from an interrupted run is useless.
		rm -rf "$datadir"
		log "initdb into $datadir"
		as_owner "$bin/initdb" -D "$datadir" -U "$db_user" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$base/initdb.log" 2>&1 ||
			{
				cat "$base/initdb.log" >&2
				die "initdb failed"
			}
	fi
	as_owner mkdir -p "$sockdir"
	log "starting the server on 127.0.0.1:$port (log: $logfile)"
	as_owner "$bin/pg_ctl" -D "$datadir" -l "$logfile" \
		-o "-p $port -k $sockdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
		-w -t 60 start >&2 ||
		{
			tail -n 30 "$logfile" >&2 || true
			die "the server did not start"
		}
fi

if [[ $("${psql_cmd[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db_name'") != 1 ]]; then
	log "creating database $db_name"
	"${psql_cmd[@]}" -d postgres -c "CREATE DATABASE $db_name" >&2
fi

log "ready"
echo "export $export_var=postgres://$db_user@127.0.0.1:$port/$db_name?sslmode=disable"
