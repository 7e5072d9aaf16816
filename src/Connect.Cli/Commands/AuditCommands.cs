using System.CommandLine;
using Connect.Application;
using Connect.Application.Audit;
using Connect.Cli.Database;
using Connect.Domain.Applications;
using Connect.Infrastructure;
using Connect.Infrastructure.Migrations;
using MediatR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Cli.Commands;

/// <summary><c>audit list</c>: the revoke-all audit, newest first.</summary>
internal static class AuditCommands
{
    public static Command Audit(IConfiguration configuration)
    {
        var anchor = new Option<string?>("--anchor") { Description = "Only the events of this application." };
        var limit = new Option<int>("--limit")
        {
            Description = $"How many events, 1 to {ListAuditEventsQuery.MaxLimit}.",
            DefaultValueFactory = _ => ListAuditEventsQuery.DefaultLimit,
        };
        var list = new Command("list", "List revoke-all audit events, newest first.") { anchor, limit };
        list.SetAction(async (parse, cancellationToken) =>
        {
            var anchorValue = parse.GetValue(anchor);
            var limitValue = parse.GetValue(limit);
            await using var database = await ConnectDatabase.OpenAsync(configuration, cancellationToken);
            DatabaseMigrator.Migrate(database.ConnectionString);
            await using var services = Services(database.ConnectionString);

            var outcome = await services.GetRequiredService<IMediator>().Send(
                new ListAuditEventsQuery(anchorValue is null ? null : new ApplicationAnchor(anchorValue), limitValue),
                cancellationToken);
            if (!outcome.Succeeded)
            {
                // The query's validator decides; this only says which argument it refused.
                return Output.Fail(limitValue is < 1 or > ListAuditEventsQuery.MaxLimit
                    ? $"--limit must be between 1 and {ListAuditEventsQuery.MaxLimit}"
                    : $"--anchor must be 1 to {ApplicationAnchor.MaxLength} characters");
            }

            if (outcome.Value.UnknownAnchor)
            {
                return Output.Fail($"no application has the anchor '{anchorValue}'");
            }

            Output.Json(new
            {
                events = outcome.Value.Events.Select(audited => new
                {
                    at = audited.At.UtcDateTime,
                    anchor = audited.Anchor.Value,
                    accountId = audited.Account.Value,
                    revokedCount = audited.RevokedCount,
                }),
            });
            return 0;
        });
        return new Command("audit", "Read the revocation audit.") { list };
    }

    /// <summary>The Application and Infrastructure layers over the command's database, as the service wires them.</summary>
    private static ServiceProvider Services(string connectionString)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [$"ConnectionStrings:{Infrastructure.DependencyInjection.ConnectionStringName}"] = connectionString })
            .Build();
        return new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddConnectApplication()
            .AddConnectInfrastructure()
            .BuildServiceProvider();
    }
}
