namespace Connect.Cli.Commands;

/// <summary><c>sector create</c>.</summary>
internal static class SectorCommands
{
    public static Command Group(IConfiguration configuration) =>
        new("sector", "Manage sectors, the identity-isolation boundaries.") { Create(configuration) };

    private static Command Create(IConfiguration configuration)
    {
        var name = new Option<string?>("--name") { Description = "A name for people (optional)." };
        var command = new Command("create", "Create a sector.") { name };
        command.SetAction((parse, cancellationToken) => AdministrationServices.SendAsync(
            parse, configuration, new CreateSectorCommand(parse.GetValue(name)),
            result => new { sectorId = result.Sector.Value }, cancellationToken));
        return command;
    }
}
