namespace Connect.Cli.Commands;

/// <summary>
/// <c>app register</c>, <c>app disable</c>, <c>app enable</c>, <c>app update</c>, <c>app key add</c>, <c>app key retire</c>, and
/// <c>app signing-key list | rotate | remove</c>; <c>app receiver</c> is <see cref="SignalCommands"/>'.
/// </summary>
internal static class ApplicationCommands
{
    public static Command Group(IConfiguration configuration) =>
        new("app", "Register applications, disable or enable them, rotate their keys, and name their signal receivers.")
        {
            Register(configuration),
            SetEnabled(configuration, "disable", enabled: false),
            SetEnabled(configuration, "enable", enabled: true),
            Update(configuration),
            new Command("key", "Add or retire an application's client-auth keys.") { AddKey(configuration), RetireKey(configuration) },
            new Command("signing-key", "List, rotate or remove the keys the server signs the application's tokens with.")
            {
                ListSigningKeys(configuration), RotateSigningKey(configuration), RemoveSigningKey(configuration),
            },
            SignalCommands.ReceiverGroup(configuration),
        };

    private static Command Register(IConfiguration configuration)
    {
        var anchor = AdministrationOptions.Anchor();
        var publicKey = AdministrationOptions.PublicKey();
        var sector = AdministrationOptions.Sector();
        var command = new Command("register", "Register an application with its first public key.") { anchor, publicKey, sector };
        command.SetAction((parse, cancellationToken) =>
        {
            if (!PublicKeyFile.TryRead(parse.GetRequiredValue(publicKey), out var pem, out var problem))
            {
                return Task.FromResult(Output.Fail(parse, problem));
            }

            var chosen = parse.GetResult(sector) is null ? (SectorId?)null : new SectorId(parse.GetValue(sector));
            return AdministrationServices.SendAsync(
                parse, configuration, new RegisterApplicationCommand(parse.GetRequiredValue(anchor), pem, chosen),
                result => new { anchor = result.Anchor.Value, sectorId = result.Sector.Value, keyId = result.KeyId.Value },
                cancellationToken);
        });
        return command;
    }

    private static Command SetEnabled(IConfiguration configuration, string name, bool enabled)
    {
        var anchor = AdministrationOptions.Anchor();
        var command = new Command(name, enabled ? "Enable an application again." : "Disable an application: its client JWTs are refused.")
        {
            anchor,
        };
        command.SetAction((parse, cancellationToken) => AdministrationServices.SendAsync(
            parse, configuration, new SetApplicationEnabledCommand(parse.GetRequiredValue(anchor), enabled),
            result => new { anchor = result.Anchor.Value, enabled = result.Enabled }, cancellationToken));
        return command;
    }

    private static Command Update(IConfiguration configuration)
    {
        var anchor = AdministrationOptions.Anchor();
        var name = new Option<string?>("--name") { Description = "The name the sign-in page shows (default: the anchor)." };
        var signUp = new Option<string?>("--sign-up") { Description = "Whether people may create an account on the sign-in page." };
        signUp.AcceptOnlyFromAmong("open", "closed");
        var callbackHosts = new Option<string[]>("--callback-host")
        {
            Description = $"A host CALLBACK URLs may name (repeat for more, at most {CallbackHost.MaxPerApplication}); replaces the list.",
            AllowMultipleArgumentsPerToken = false,
        };
        var noCallbackHosts = new Option<bool>("--no-callback-hosts") { Description = "Allow no CALLBACK host at all." };
        var command = new Command("update", "Change what the application's sign-in page shows and allows; prints its settings.")
        {
            anchor, name, signUp, callbackHosts, noCallbackHosts,
        };

        // Both say what the whole list becomes: together they contradict each other, a mistake on the command line.
        command.Validators.Add(result =>
        {
            if (result.GetResult(callbackHosts) is not null && result.GetValue(noCallbackHosts))
            {
                result.AddError("--callback-host and --no-callback-hosts cannot be used together");
            }
        });
        command.SetAction((parse, cancellationToken) =>
        {
            IReadOnlyList<string>? hosts = parse.GetValue(noCallbackHosts)
                ? []
                : parse.GetResult(callbackHosts) is null ? null : parse.GetValue(callbackHosts);
            var open = parse.GetValue(signUp) is { } chosen ? chosen == "open" : (bool?)null;
            return AdministrationServices.SendAsync(
                parse, configuration, new UpdateApplicationCommand(parse.GetRequiredValue(anchor), parse.GetValue(name), open, hosts),
                settings => new
                {
                    anchor = settings.Anchor.Value,
                    name = settings.Name,
                    signUp = settings.SignUpOpen ? "open" : "closed",
                    callbackHosts = settings.CallbackHosts,
                },
                cancellationToken);
        });
        return command;
    }

    private static Command AddKey(IConfiguration configuration)
    {
        var anchor = AdministrationOptions.Anchor();
        var publicKey = AdministrationOptions.PublicKey();
        var command = new Command("add", "Add a public key; the application may then sign with either.") { anchor, publicKey };
        command.SetAction((parse, cancellationToken) =>
        {
            if (!PublicKeyFile.TryRead(parse.GetRequiredValue(publicKey), out var pem, out var problem))
            {
                return Task.FromResult(Output.Fail(parse, problem));
            }

            return AdministrationServices.SendAsync(
                parse, configuration, new AddApplicationKeyCommand(parse.GetRequiredValue(anchor), pem),
                result => new { anchor = result.Anchor.Value, keyId = result.KeyId.Value }, cancellationToken);
        });
        return command;
    }

    private static Command RetireKey(IConfiguration configuration)
    {
        var anchor = AdministrationOptions.Anchor();
        var keyId = new Option<string>("--key-id") { Description = "The key id printed by 'app register' or 'app key add'.", Required = true };
        var command = new Command("retire", "Retire a key: it stops verifying client JWTs at once.") { anchor, keyId };
        command.SetAction((parse, cancellationToken) => AdministrationServices.SendAsync(
            parse, configuration, new RetireApplicationKeyCommand(parse.GetRequiredValue(anchor), parse.GetRequiredValue(keyId)),
            result => new { anchor = result.Anchor.Value, keyId = result.KeyId.Value, retired = true }, cancellationToken));
        return command;
    }

    private static Command ListSigningKeys(IConfiguration configuration)
    {
        var anchor = AdministrationOptions.Anchor();
        var command = new Command("list", "List the token-signing keys and their states; never key material.") { anchor };
        command.SetAction((parse, cancellationToken) => AdministrationServices.SendAsync(
            parse, configuration, new ListSigningKeysQuery(parse.GetRequiredValue(anchor)),
            result => new
            {
                anchor = result.Anchor.Value,
                keys = result.Keys.Select(key => new { keyId = key.KeyId, state = StateName(key.State), createdAt = key.CreatedAt.UtcDateTime }),
            },
            cancellationToken));
        return command;
    }

    private static Command RotateSigningKey(IConfiguration configuration)
    {
        var anchor = AdministrationOptions.Anchor();
        var command = new Command("rotate", "Add a next token-signing key: current once it has been published for the JWKS max-age.") { anchor };
        command.SetAction((parse, cancellationToken) => AdministrationServices.SendAsync(
            parse, configuration, new RotateSigningKeyCommand(parse.GetRequiredValue(anchor)),
            result => new { anchor = result.Anchor.Value, keyId = result.KeyId, state = "next", currentFrom = result.CurrentFrom.UtcDateTime },
            cancellationToken));
        return command;
    }

    private static Command RemoveSigningKey(IConfiguration configuration)
    {
        var anchor = AdministrationOptions.Anchor();
        var keyId = new Option<string>("--key-id") { Description = "The key id printed by 'app signing-key list'.", Required = true };
        var command = new Command("remove", "Remove a token-signing key at once: tokens it signed no longer verify.") { anchor, keyId };
        command.SetAction((parse, cancellationToken) => AdministrationServices.SendAsync(
            parse, configuration, new RemoveSigningKeyCommand(parse.GetRequiredValue(anchor), parse.GetRequiredValue(keyId)),
            result => new { anchor = result.Anchor.Value, keyId = result.KeyId, state = "removed" }, cancellationToken));
        return command;
    }

    private static string StateName(SigningKeyState state) => state switch
    {
        SigningKeyState.Next => "next",
        SigningKeyState.Current => "current",
        SigningKeyState.Retiring => "retiring",
        _ => "removed",
    };
}
