#pragma once

#include <iosfwd>
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace codeguru::service {

// --import FILE... --scan NAME [--complete]: applies each export file ("-": standard input)
// to `scan` in `schema`, in the order given, each in one transaction with its run
// (export_import.hpp), and prints one line per file to `out`. Stops at the first file that
// cannot be read or imported, printing its error to `err`; the files before it stay applied.
// Returns the exit status: 0 when every file was imported, 1 otherwise.
int run_import(pqxx::connection_base& connection, const std::string& schema,
               const std::vector<std::string>& files, const std::string& scan, bool complete,
               std::istream& stdin_stream, std::ostream& out, std::ostream& err);

}  // namespace codeguru::service
