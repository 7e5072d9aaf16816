using Xunit.Abstractions;
using Xunit.Sdk;

namespace Connect.Api.Tests.Attacks;

/// <summary>Marks the control request of an attack group: a genuine call that must still succeed after all the attacks.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ControlAttribute : Attribute;

/// <summary>Runs a group's tests in their written order, with its <see cref="ControlAttribute"/> test last.</summary>
public sealed class ControlLastOrderer : ITestCaseOrderer
{
    public const string TypeName = "Connect.Api.Tests.Attacks.ControlLastOrderer";

    public const string AssemblyName = "Connect.Api.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases)
        where TTestCase : ITestCase =>
        testCases.OrderBy(testCase =>
            testCase.TestMethod.Method.GetCustomAttributes(typeof(ControlAttribute).AssemblyQualifiedName).Any() ? 1 : 0);
}
