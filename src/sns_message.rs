//! [`SnsMessage`]: what a verified AWS SNS delivery says, and which of its three kinds it is.

use crate::error::VerifyError;
use crate::json_field::append_string;
use crate::verify::Verified;
use alloc::string::String;
use alloc::vec::Vec;

/// An AWS SNS message, read from a delivery verified with [`Scheme::aws_sns`](crate::Scheme::aws_sns):
/// every value here was covered by the signature.
///
/// A subscription confirmation is a message like the others: the crate never visits its
/// `SubscribeURL`. Confirm the subscriptions you expect, for the topics you expect, yourself.
///
/// ```
/// use hookseal::{SnsKind, SnsMessage};
///
/// fn handle(verified: &hookseal::Verified<'_>) -> Result<(), hookseal::VerifyError> {
///     let message = SnsMessage::from_verified(verified)?;
///     match message.kind() {
///         SnsKind::Notification => println!("{}", message.message()),
///         SnsKind::SubscriptionConfirmation { subscribe_url, .. } => {
///             // Check `message.topic_arn()` before confirming with a GET of `subscribe_url`.
///             let _ = subscribe_url;
///         }
///         SnsKind::UnsubscribeConfirmation { .. } => {}
///         _ => {}
///     }
///     Ok(())
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnsMessage {
    kind: SnsKind,
    message_id: String,
    topic_arn: String,
    subject: Option<String>,
    message: String,
}

/// The kind of an [`SnsMessage`], from its `Type`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SnsKind {
    /// A message published to the topic.
    Notification,
    /// The topic asks this endpoint to confirm a subscription: a GET of `subscribe_url`
    /// confirms it.
    SubscriptionConfirmation {
        /// The URL that confirms the subscription.
        subscribe_url: String,
        /// The token the URL carries.
        token: String,
    },
    /// The subscription was removed; a GET of `subscribe_url` subscribes again.
    UnsubscribeConfirmation {
        /// The URL that subscribes again.
        subscribe_url: String,
        /// The token the URL carries.
        token: String,
    },
}

impl SnsMessage {
    /// Reads the message of a verified AWS SNS delivery.
    ///
    /// # Errors
    ///
    /// [`VerifyError::MalformedBody`] when the delivery was verified with a scheme that does
    /// not sign SNS's members, its `Type` is none of the three, a confirmation lacks its
    /// `SubscribeURL` or `Token`, or a member it needs is absent or not UTF-8 text.
    pub fn from_verified(verified: &Verified<'_>) -> Result<Self, VerifyError> {
        let scheme = verified.scheme();
        let signed = [
            "Type",
            "Message",
            "MessageId",
            "TopicArn",
            "Subject",
            "SubscribeURL",
            "Token",
        ];
        if !signed.iter().all(|name| scheme.signs_member(name)) {
            return Err(VerifyError::MalformedBody);
        }
        let body = verified.body();
        let member = |name: &str| -> Result<Option<String>, VerifyError> {
            let mut out = Vec::new();
            if !append_string(body, &[name], &mut out)? {
                return Ok(None);
            }
            String::from_utf8(out)
                .map(Some)
                .map_err(|_| VerifyError::MalformedBody)
        };
        let required = |name: &str| member(name)?.ok_or(VerifyError::MalformedBody);
        let kind = match required("Type")?.as_str() {
            "Notification" => SnsKind::Notification,
            kind @ ("SubscriptionConfirmation" | "UnsubscribeConfirmation") => {
                let (subscribe_url, token) = (required("SubscribeURL")?, required("Token")?);
                if kind == "SubscriptionConfirmation" {
                    SnsKind::SubscriptionConfirmation {
                        subscribe_url,
                        token,
                    }
                } else {
                    SnsKind::UnsubscribeConfirmation {
                        subscribe_url,
                        token,
                    }
                }
            }
            _ => return Err(VerifyError::MalformedBody),
        };
        Ok(Self {
            kind,
            message_id: required("MessageId")?,
            topic_arn: required("TopicArn")?,
            subject: member("Subject")?,
            message: required("Message")?,
        })
    }

    /// Which kind of message it is.
    #[must_use]
    pub fn kind(&self) -> &SnsKind {
        &self.kind
    }

    /// The message's id, unique per message (SNS retries a delivery with the same id).
    #[must_use]
    pub fn message_id(&self) -> &str {
        &self.message_id
    }

    /// The topic's ARN. Check it is a topic you subscribed to.
    #[must_use]
    pub fn topic_arn(&self) -> &str {
        &self.topic_arn
    }

    /// The subject the publisher gave, if any.
    #[must_use]
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// The message itself, its JSON escapes decoded.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}
