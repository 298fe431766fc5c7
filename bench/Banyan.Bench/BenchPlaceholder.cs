namespace Banyan.Bench;

internal static class BenchInfo
{
}
