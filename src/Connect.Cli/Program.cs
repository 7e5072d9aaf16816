using System.CommandLine;
using Connect.Cli;
using Connect.Cli.Commands;
using Connect.Infrastructure.LocalPostgres;
using Microsoft.Extensions.Configuration;
using Npgsql;

var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();

var root = new RootCommand("Connect: the identity-session service and its operator commands.")
{
    ServiceCommands.Up(configuration),
    ServiceCommands.Migrate(configuration),
    AuditCommands.Audit(configuration),
};

try
{
    return await root.Parse(args).InvokeAsync();
}
catch (LocalPostgresException exception)
{
    return Output.Fail(exception.Message);
}
catch (NpgsqlException exception)
{
    return Output.Fail($"the database could not be reached or refused the command: {exception.Message}");
}
