namespace Banyan.Architecture.Tests;

/// <summary>
/// Names an internal type of the ledger engine on purpose (this test assembly is a friend of
/// Banyan.Ledger only for this), so the boundary checker is shown to catch a real reference in IL.
/// </summary>
internal static class DeliberateViolation
{
    public static Type InternalEngineType => typeof(Banyan.Ledger.StateMachine);
}
