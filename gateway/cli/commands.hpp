// The command-line tools hospital IT runs before connecting a storage to the network.
// argv[0] is the subcommand name ("check" / "show"); the daemon's main dispatches here.
//   hareyaka-gateway check --storage DIR [--extended DIR] [--threads N] [--strict-pid] [--quiet]
//     scans, prints counts per data type and every unusable file with its reason;
//     exit 0 when no file is unusable, 1 otherwise, 2 on a usage error.
//   hareyaka-gateway show --storage DIR --patient ID [--extended DIR] [--limit N]
//     prints the patient's current record as JSON (the data API's shape); exit 1 when the
//     patient has no files.
//   hareyaka-gateway restore --config FILE --node NAME (--into DIR | --verify-only)
//                            [--as-of YYYY-MM-DDThh:mm:ssZ]
//     rebuilds the SS-MIX2 standard storage from a preservation node (gateway/preserve/
//     restore.hpp) and prints the report as JSON; exit 0 when every file verified, 1 when
//     something was refused (listed), 2 on a usage or configuration error, 3 when the node
//     cannot be read.
#pragma once

namespace hareyaka::gateway::cli {

int run_check(int argc, char** argv);
int run_show(int argc, char** argv);
int run_restore(int argc, char** argv);

}  // namespace hareyaka::gateway::cli
