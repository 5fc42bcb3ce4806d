// tincan-cli: the command-line client. Wiring only; see CliApp.
#include "app/cli/CliApp.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("tincan-cli"));
    Tincan::Cli::CliApp cli;
    return cli.run(QCoreApplication::arguments());
}
