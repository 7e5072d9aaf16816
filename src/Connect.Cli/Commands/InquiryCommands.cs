namespace Connect.Cli.Commands;

/// <summary><c>inquiry realize</c>: realize an inquiry on a person's behalf (support desks, scripted tests); audited as operator.</summary>
internal static class InquiryCommands
{
    public static Command Group(IConfiguration configuration) =>
        new("inquiry", "Act on a pending sign-in (an inquiry).")
        {
            Realize(configuration),
        };

    private static Command Realize(IConfiguration configuration)
    {
        var exposureKey = new Option<string>("--exposure-key")
        {
            Description = "The inquiry's exposure key (the exposure-key of its sign-in URL).",
            Required = true,
        };
        var account = AdministrationOptions.Account();
        var command = new Command("realize", "Sign the account in to the inquiry, as if the person had used a passkey.")
        {
            exposureKey,
            account,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var database = await AdministrationServices.OpenDatabaseAsync(configuration, cancellationToken);
            await using var services = AdministrationServices.Build(configuration, database);
            var result = await services.GetRequiredService<IMediator>().Send(
                new RealizeInquiryCommand(parse.GetRequiredValue(exposureKey), new(parse.GetValue(account)), RealizationMethod.Operator),
                cancellationToken);
            return result.Realized ? Output.Json(parse, new { realized = true }) : Output.Fail(parse, result.Explanation!);
        });
        return command;
    }
}
