namespace Connect.Api.Errors;

/// <summary>
/// The <c>WWW-Authenticate</c> challenge an endpoint's <c>401</c> answers carry (RFC 9110 §11.6.1: a 401 names the
/// scheme that would have been accepted). An endpoint whose credential is a token in the body has no scheme to
/// name and carries none.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = false)]
internal sealed class AuthenticationChallengeAttribute(string challenge) : Attribute
{
    public string Challenge { get; } = challenge;
}
