//! Handler arguments: [`VerifiedDelivery`] and (feature `serde`) [`Event<T>`](crate::Event),
//! taken from what [`Verify`](super::Verify) put in the request's extensions.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage as _, HttpRequest};

use crate::extract::MissingLayer;
#[cfg(feature = "serde")]
use crate::extract::{Event, EventRejection};
use crate::verified_delivery::VerifiedDelivery;

impl FromRequest for VerifiedDelivery {
    type Error = MissingLayer;
    type Future = Ready<Result<Self, MissingLayer>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            request
                .extensions()
                .get::<VerifiedDelivery>()
                .cloned()
                .ok_or(MissingLayer),
        )
    }
}

#[cfg(feature = "serde")]
impl<T: serde::de::DeserializeOwned> FromRequest for Event<T> {
    type Error = EventRejection;
    type Future = Ready<Result<Self, EventRejection>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let extensions = request.extensions();
        ready(match extensions.get::<VerifiedDelivery>() {
            Some(delivery) => delivery
                .json()
                .map(Event)
                .map_err(EventRejection::Unreadable),
            None => Err(MissingLayer.into()),
        })
    }
}
