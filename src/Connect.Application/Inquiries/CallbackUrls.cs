namespace Connect.Application.Inquiries;

/// <summary>The callback URL a person's browser goes to once the inquiry is realized.</summary>
public static class CallbackUrls
{
    public const string ExposureKeyParameter = "exposure-key";

    public const string ConfirmationKeyParameter = "confirmation-key";

    /// <summary>
    /// The URL with <c>exposure-key</c> and <c>confirmation-key</c> appended: its other query parameters kept as they
    /// were written, any earlier values of those two dropped (overwritten), the fragment kept last.
    /// </summary>
    public static string WithKeys(string callbackUrl, string exposureKey, string confirmationKey)
    {
        ArgumentNullException.ThrowIfNull(callbackUrl);
        var fragmentAt = callbackUrl.IndexOf('#', StringComparison.Ordinal);
        var fragment = fragmentAt < 0 ? string.Empty : callbackUrl[fragmentAt..];
        var beforeFragment = fragmentAt < 0 ? callbackUrl : callbackUrl[..fragmentAt];
        var queryAt = beforeFragment.IndexOf('?', StringComparison.Ordinal);
        var path = queryAt < 0 ? beforeFragment : beforeFragment[..queryAt];
        var kept = queryAt < 0
            ? []
            : beforeFragment[(queryAt + 1)..].Split('&').Where(part => part.Length > 0 && !NamesAKey(part)).ToList();

        // Both keys are base64url: nothing in them needs escaping in a query.
        kept.Add($"{ExposureKeyParameter}={exposureKey}");
        kept.Add($"{ConfirmationKeyParameter}={confirmationKey}");
        return $"{path}?{string.Join('&', kept)}{fragment}";
    }

    private static bool NamesAKey(string parameter)
    {
        var equalsAt = parameter.IndexOf('=', StringComparison.Ordinal);
        var name = Uri.UnescapeDataString((equalsAt < 0 ? parameter : parameter[..equalsAt]).Replace('+', ' '));
        return name is ExposureKeyParameter or ConfirmationKeyParameter;
    }
}
