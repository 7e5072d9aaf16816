namespace Connect.Cli.Administration;

/// <summary>
/// The options several administrative commands share, so that each reads and is described the same. Ids and
/// numbers are parsed here with messages for people (the library's name the .NET type).
/// </summary>
internal static class AdministrationOptions
{
    public static Option<string> Anchor() =>
        new("--anchor") { Description = "The application's anchor (the iss of its client JWTs).", Required = true };

    public static Option<Guid> Account() => Id("--account", "The account id printed by 'account create'.", required: true);

    public static Option<Guid> Sector() => Id("--sector", "The sector to join (default: a fresh sector of its own).", required: false);

    public static Option<Guid> ReceiverId() =>
        Id("--receiver-id", "The receiver id printed by 'app receiver add' or 'app receiver list'.", required: true);

    public static Option<string> PublicKey() =>
        new("--public-key") { Description = "A PEM file holding -----BEGIN PUBLIC KEY----- (RSA, at least 2048 bits).", Required = true };

    public static Option<int> Count() =>
        Number("--count", "How many sessions to issue (1 to 10000).", IssueSessionsCommand.DefaultCount);

    public static Option<int> ExpiresIn() =>
        Number("--expires-in", "Seconds until the sessions expire (default 30 days, at most 365 days).", IssueSessionsCommand.DefaultExpiresInSeconds);

    public static Option<int> LinkExpiresIn() =>
        Number("--expires-in", "Seconds until the link stops working (default 24 hours, at most 30 days).", PasskeyOptions.DefaultEnrollmentLinkSeconds);

    private static Option<Guid> Id(string name, string description, bool required) => new(name)
    {
        Description = description,
        Required = required,
        CustomParser = result =>
        {
            if (Guid.TryParse(result.Tokens[^1].Value, out var id))
            {
                return id;
            }

            result.AddError($"{name} must be an id such as 0190d3c8-5f7e-7a21-9c3b-2d4e6f8a0b1c, not '{result.Tokens[^1].Value}'");
            return default;
        },
    };

    /// <summary>Range checks stay with the Application's validators; this only insists on a whole number.</summary>
    private static Option<int> Number(string name, string description, int defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var text = result.Tokens[^1].Value;
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
            {
                return number;
            }

            // A whole number too large for an int is out of every range the validators accept: clamp it and let
            // them say which range, in the same words as for any other out-of-range value.
            var digits = text.StartsWith('-') || text.StartsWith('+') ? text[1..] : text;
            if (digits.Length > 0 && digits.All(char.IsAsciiDigit))
            {
                return text.StartsWith('-') ? int.MinValue : int.MaxValue;
            }

            result.AddError($"{name} must be a whole number, not '{text}'");
            return default;
        },
    };
}
