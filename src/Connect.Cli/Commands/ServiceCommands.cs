using System.CommandLine;
using Connect.Api;
using Connect.Cli.Database;
using Connect.Cli.Demo;
using Connect.Infrastructure.Migrations;
using Microsoft.Extensions.Configuration;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Connect.Cli.Commands;

/// <summary><c>up</c> and <c>migrate</c>: run the service, or bring its schema up to date.</summary>
internal static class ServiceCommands
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static Command Migrate(IConfiguration configuration)
    {
        var command = new Command("migrate", "Apply pending migrations to the configured database and exit.");
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var database = await ConnectDatabase.OpenAsync(configuration, cancellationToken);
            var applied = DatabaseMigrator.Migrate(database.MigrationConnectionString);
            return Output.Json(parse, new { applied });
        });
        return command;
    }

    public static Command Up(IConfiguration configuration)
    {
        var demo = new Option<bool>("--demo") { Description = "Also register a demo application and show a real signed revocation." };
        var command = new Command("up", $"Start the database, apply migrations and serve the API on {DefaultUrl} until Ctrl-C.")
        {
            demo,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var database = await ConnectDatabase.OpenAsync(configuration, cancellationToken);
            DatabaseMigrator.Migrate(database.MigrationConnectionString);

            var app = ConnectWebApplication.Create([], builder =>
            {
                builder.Configuration["ConnectionStrings:Connect"] = database.ConnectionString;
                if (string.IsNullOrEmpty(builder.Configuration["Urls"]))
                {
                    builder.Configuration["Urls"] = DefaultUrl;
                }
            }, contentRoot: AppContext.BaseDirectory);

            await app.StartAsync(cancellationToken);
            await Console.Error.WriteLineAsync(
                $"connect: serving on {string.Join(", ", app.Urls)} with {database.Description}; Ctrl-C stops.");
            if (parse.GetValue(demo))
            {
                using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
                var run = new RevokeAllDemo(
                    app.Services.GetRequiredService<IMediator>(), http, TimeProvider.System, parse.InvocationConfiguration.Output);
                await run.RunAsync(cancellationToken);
                await Console.Error.WriteLineAsync("connect: demo done; the service keeps serving until Ctrl-C.");
            }

            await app.WaitForShutdownAsync(CancellationToken.None);
            return 0;
        });
        return command;
    }
}
