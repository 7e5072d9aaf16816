namespace Connect.Api.Errors;

/// <summary>
/// Marks an endpoint whose credential is an <c>Authorization: Bearer</c> access token (RFC 6750). Its <c>401</c>s
/// are the protocol's own <c>{"error":"invalid_token"}</c> (§3.1), not <c>{"reason":...}</c>, whatever failed; and
/// every answer, success or error, depends on that header, so it carries <see cref="Responses.AnswerHeaders.NoStoreByAuthorization"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = false)]
internal sealed class BearerTokenAnswersAttribute : Attribute;
