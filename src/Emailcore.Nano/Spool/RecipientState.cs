namespace Emailcore.Nano.Spool
{
    /// <summary>Where one recipient of a queued message stands. Delivered, Failed and Removed are final: they never change again.</summary>
    public enum RecipientState
    {
        Pending = 0,
        Deferred = 1,
        Delivered = 2,
        Failed = 3,
        Removed = 4,
    }
}
