//! Closes the connection of a request whose body was not read to its end.
//!
//! actix closes such a connection itself when the body came with a `Content-Length`, but a chunked
//! one it drains after the response, for as long as the client goes on sending: a refused upload
//! (401 before the body is read, 413, 408) could hold its connection for ever. actix tells an
//! unread body from a dropped one by whether anyone still holds it, so this middleware holds every
//! request's body until its response has been sent; actix then closes instead of draining. A body
//! read to its end changes nothing: the connection is kept alive as usual.

use std::cell::RefCell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use actix_http::BoxedPayloadStream;
use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use futures_util::Stream;

pub async fn close_on_unread_body(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let (request, payload) = req.into_parts();
    let body = SharedBody(Rc::new(RefCell::new(payload)));
    let shared = Payload::from(Box::pin(body.clone()) as BoxedPayloadStream);
    let response = next
        .call(ServiceRequest::from_parts(request, shared))
        .await?;
    Ok(response.map_body(|_, sent| {
        BoxBody::new(KeptUntilSent {
            sent: BoxBody::new(sent),
            _request_body: body,
        })
    }))
}

/// The request body, read by the handler through one clone while the middleware holds another.
#[derive(Clone)]
struct SharedBody(Rc<RefCell<Payload>>);

impl Stream for SharedBody {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut *self.0.borrow_mut()).poll_next(cx)
    }
}

/// A response body that holds the request body until it has been sent.
struct KeptUntilSent {
    sent: BoxBody,
    _request_body: SharedBody,
}

impl MessageBody for KeptUntilSent {
    type Error = <BoxBody as MessageBody>::Error;

    fn size(&self) -> BodySize {
        self.sent.size()
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.get_mut().sent).poll_next(cx)
    }
}
